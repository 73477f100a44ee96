"""The store's URL as users type it: one that cannot be read is a clear message in both languages naming what is
wrong, never the password (even one with an unencoded '@'); the keyring's entry is found under the host as the URL
writes it (`keyring set xlcrm-store xlcrm@TEAMPC`), and under the lower-cased host too."""

from __future__ import annotations

import pytest

from xlcrm import bootstrap
from xlcrm.core.errors import XlcrmError

SECRET = "TopSecret99"


def refused(url: str) -> tuple[str, str]:
    with pytest.raises(XlcrmError) as error:
        bootstrap.store_connector(timeout=2)(url)
    return error.value.msg.text("en"), error.value.msg.text("zh")


@pytest.mark.parametrize("url", [f"postgresql://xlcrm:abc@x:{SECRET}@127.0.0.1:55432/team",
                                 f"postgresql://xlcrm:p@ss:w/rd#%?{SECRET}@127.0.0.1:55432/team",
                                 f"postgresql://xlcrm:abc@{SECRET}@127.0.0.1/team"])
def test_a_password_with_an_unencoded_at_sign_is_named_and_never_shown(url, monkeypatch):
    monkeypatch.delenv("XLCRM_STORE", raising=False)
    en, zh = refused(url)
    assert SECRET not in en and SECRET not in zh and "abc" not in en and "p@ss" not in en
    assert "more than one '@'" in en and "%40" in en and "XLCRM_STORE_PASSWORD" in en
    assert "多个“@”" in zh and "%40" in zh


@pytest.mark.parametrize("url, says, says_zh", [
    ("postgresql://xlcrm@127.0.0.1:notaport/team", "the port is not a number", "端口不是"),
    ("postgresql://xlcrm@127.0.0.1:99999/team", "the port is not a number", "端口不是"),
    ("postgresql+psycopg2://xlcrm@127.0.0.1:55432/team", "driver 'postgresql+psycopg2'", "不受支持"),
    ("mysql://xlcrm@127.0.0.1/team", "driver 'mysql', which xlcrm does not support", "只支持 SQLite"),
    ("/srv/share/xlcrm-team.db", "is not a URL", "不是有效的地址"),
    ("C:\\Users\\ann\\xlcrm-team.db", "is not a URL", "sqlite:///"),
    ("sqlite://", "names no file", "没有文件路径"),
])
def test_a_malformed_store_url_says_what_is_wrong(url, says, says_zh, monkeypatch):
    monkeypatch.delenv("XLCRM_STORE", raising=False)
    en, zh = refused(url)
    assert says in en and says_zh in zh
    assert "postgresql://USER@HOST[:PORT]/DATABASE" in en and "sqlite:///PATH" in en
    assert "Unexpected" not in en


def test_the_store_url_in_the_settings_is_checked_as_the_environment_one(tmp_path, monkeypatch):
    monkeypatch.delenv("XLCRM_STORE", raising=False)
    assert refused(str(tmp_path / "team.db"))[0].startswith("The team store (setting `store` or XLCRM_STORE)")
    store = bootstrap.store_connector()(f"SQLite:///{tmp_path / 'team.db'}")  # the scheme in any case
    store.close()
    assert (tmp_path / "team.db").exists()


@pytest.mark.postgres
@pytest.mark.parametrize("kept_as", ["xlcrm@LocalHost", "xlcrm@localhost"])
def test_the_keyring_entry_is_found_under_the_host_as_the_url_writes_it(postgres_server, memory_keyring, monkeypatch,
                                                                        kept_as):
    from helpers.postgres import PASSWORD, new_database

    host, port = postgres_server
    url = new_database(host, port).replace(f"@{host}:", "@LocalHost:")  # TEAMPC as the README writes it
    monkeypatch.delenv("XLCRM_STORE", raising=False)
    monkeypatch.delenv("XLCRM_STORE_PASSWORD", raising=False)
    memory_keyring.set_password("xlcrm-store", kept_as, PASSWORD)
    store = bootstrap.store_connector()(url)
    try:
        assert store.status().version >= 1
    finally:
        store.close()
