"""Where the files beside a workbook opened from OneDrive go (the outbox, the journal): the synced folder the user's
own settings and environment name, never one an xlwings.conf sheet inside the workbook names. Excel names such a
workbook by its https:// address; xlwings' Book.fullname maps it, reading the workbook's xlwings.conf sheet first
(xlwings/_xlwindows.py, _xlmac.py). Here xlwings' remote Book stands in for the workbook: its COM FullName is the
address, and its fullname does what xlwings' Windows engine does with it."""

from __future__ import annotations

import openpyxl
import pytest
import xlwings
import xlwings.utils
from xlwings.pro import _xlremote

from helpers.remote import remote_book
from xlcrm.book.live import LiveBook
from xlcrm.core.errors import XlcrmError

URL = "https://d.docs.live.net/4f2a9c/Documents/{name}"


class ComWorkbook:
    """Excel's workbook object as pywin32 gives it, of which xlcrm asks the full name alone."""

    def __init__(self, full_name: str):
        self.FullName = full_name


def windows_fullname(impl, url: str) -> str:
    """xlwings' Windows engine's Book.fullname: an https:// FullName mapped with the workbook's xlwings.conf sheet
    first, then the user's config and environment."""
    config = xlwings.utils.read_config_sheet(xlwings.Book(impl=impl))
    return xlwings.utils.fullname_url_to_local_path(
        url=url, sheet_onedrive_consumer_config=config.get("ONEDRIVE_CONSUMER_WIN") or config.get("ONEDRIVE_CONSUMER_MAC"),
        sheet_onedrive_commercial_config=config.get("ONEDRIVE_COMMERCIAL_WIN"),
        sheet_sharepoint_config=config.get("SHAREPOINT_WIN"))


@pytest.fixture
def cloud(zh_book, tmp_path, monkeypatch):
    """The workbook as opened from OneDrive, with an xlwings.conf sheet naming another folder that holds a copy of
    it; returns (a LiveBook of it, that other folder). The user's environment names no OneDrive folder."""
    elsewhere = tmp_path / "elsewhere" / "Documents"
    elsewhere.mkdir(parents=True)
    book = openpyxl.load_workbook(zh_book)
    config = book.create_sheet("xlwings.conf")
    for key in ("ONEDRIVE_CONSUMER_WIN", "ONEDRIVE_CONSUMER_MAC"):
        config.append([key, str(elsewhere.parent)])
    book.save(elsewhere / zh_book.name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for variable in ("OneDrive", "OneDriveConsumer", "OneDriveCommercial"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(tmp_path / "home" / ".xlwings" / "xlwings.conf"))
    url = URL.format(name=zh_book.name)
    monkeypatch.setattr(_xlremote.Book, "fullname", property(lambda impl: windows_fullname(impl, url)))
    monkeypatch.setattr(xlwings.Book, "api", property(lambda b: ComWorkbook(url)))
    xlwings.utils.fullname_url_to_local_path.cache_clear()  # xlwings keeps each address's answer
    yield LiveBook(remote_book(elsewhere / zh_book.name)), elsewhere
    xlwings.utils.fullname_url_to_local_path.cache_clear()


def test_a_workbooks_own_xlwings_conf_sheet_does_not_choose_its_folder(cloud):
    live, elsewhere = cloud
    assert live.xw_book.fullname == str(elsewhere / live.name)  # what xlwings itself says: the sheet's folder
    with pytest.raises(XlcrmError) as error:  # the user's settings name no OneDrive folder: not synced here
        live.folder
    assert "OneDrive" in error.value.text("en") and "Save" in error.value.text("en")


def test_the_users_own_onedrive_folder_is_where_its_files_go(cloud, tmp_path, monkeypatch):
    live, _ = cloud
    synced = tmp_path / "home" / "OneDrive"
    (synced / "Documents").mkdir(parents=True)
    (synced / "Documents" / live.name).write_bytes(b"")  # the synced copy of the workbook
    monkeypatch.setenv("OneDrive", str(synced))
    assert live.folder == synced / "Documents"


def test_the_users_xlwings_conf_file_is_read(cloud, tmp_path):
    live, _ = cloud
    synced = tmp_path / "mine"
    (synced / "Documents").mkdir(parents=True)
    (synced / "Documents" / live.name).write_bytes(b"")
    user_config = tmp_path / "home" / ".xlwings" / "xlwings.conf"
    user_config.parent.mkdir(parents=True)
    key = "ONEDRIVE_CONSUMER_WIN" if xlwings.utils.sys.platform.startswith("win") else "ONEDRIVE_CONSUMER_MAC"
    user_config.write_text(f'"{key}","{synced}"\n', encoding="utf-8")
    assert live.folder == synced / "Documents"


def test_a_workbook_on_this_computer_is_in_its_own_folder(zh_book, monkeypatch):
    monkeypatch.setattr(xlwings.Book, "api", property(lambda b: ComWorkbook(str(zh_book))))
    assert LiveBook(remote_book(zh_book)).folder == zh_book.parent
