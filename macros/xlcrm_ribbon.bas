Attribute VB_Name = "xlcrm_ribbon"
' The CRM tab's callbacks (workbook/customUI14.xml). Each button runs the function of the
' same name in the Python module xlcrm.ribbon through xlwings' RunPython; the work and
' every message are there. Built into xlcrm.xlam and the CRM workbook by `xlcrm build`.
'
' Before Python starts, each click checks there is a workbook to work on (with a name the command
' line that starts Python cannot act on) and a Python to run, and says in Excel's UI language what
' to do when not; when Python fails before xlcrm can answer, xlwings calls CrmPythonFailed instead
' of showing the traceback (build.py wires it).
' VBA keeps its source in the ANSI code page, so the few Chinese texts asked for here are
' written as \u escapes (U decodes them); xlcrm.ribbon.PROMPTS holds the same texts.
' VBA's MsgBox converts its text to that code page too, so every message box goes through
' CrmMsgBox, which asks Windows for a Unicode one (MessageBoxW).
Option Explicit

Private Const ADDIN_NAME As String = "xlcrm.xlam"
Private Const PYTHON_LOG As String = "xlcrm-python.log"
Private Const MB_TASKMODAL As Long = &H2000&
' The sheets xlcrm writes (xlcrm.core.sheets.SHEETS, both languages), where no row is a customer's.
Private Const OWN_SHEETS As String = "CRM Settings|CRM\u8BBE\u7F6E|Data problems|\u6570\u636E\u95EE\u9898|CRM Summary|" & _
    "CRM\u6982\u89C8|Due follow-ups|\u5F85\u8DDF\u8FDB|Contact log|\u8DDF\u8FDB\u8BB0\u5F55|Mail templates|" & _
    "\u90AE\u4EF6\u6A21\u677F|Mail preview|\u90AE\u4EF6\u9884\u89C8|Send log|\u53D1\u9001\u8BB0\u5F55|" & _
    "CRM Report|CRM\u62A5\u544A|_xlcrm"

#If Mac Then
#ElseIf VBA7 Then
    Private Declare PtrSafe Function MessageBoxW Lib "user32" (ByVal hWnd As LongPtr, ByVal lpText As LongPtr, _
        ByVal lpCaption As LongPtr, ByVal uType As Long) As Long
#Else
    Private Declare Function MessageBoxW Lib "user32" (ByVal hWnd As Long, ByVal lpText As Long, _
        ByVal lpCaption As Long, ByVal uType As Long) As Long
#End If

Public Sub CrmRefreshScores(control As IRibbonControl)
    CrmRun "refresh_scores"
End Sub

Public Sub CrmHighlightFollowups(control As IRibbonControl)
    CrmRun "highlight_followups"
End Sub

Public Sub CrmLogContact(control As IRibbonControl)
    ' Asks how and what about the selected row, then passes that row and its sheet's name with both answers, text
    ' as UTF-16 code units (typed text never becomes Python code). Python logs the row asked about: on a Mac it
    ' starts seconds later, when another row may be selected.
    Dim channel As Variant, note As Variant, title As String, row As Long, sheet As String, book As Workbook
    If Not CrmReady() Then Exit Sub
    If TypeName(Selection) <> "Range" Then
        CrmRun "log_contact([], [], [], 0, " ' no cells selected: Python names the sheet to select a row in
        Exit Sub
    End If
    Set book = ActiveWorkbook
    sheet = Selection.Worksheet.Name
    row = Selection.Row
    If CrmOwnSheet(sheet) Then ' said before the questions, so that no typed note is lost
        CrmSay Replace(CrmSaid("own_sheet"), "{sheet}", sheet)
        Exit Sub
    End If
    title = CrmText("xlcrm: Log contact", "xlcrm:\u8BB0\u5F55\u8DDF\u8FDB")
    channel = Application.InputBox(Replace(CrmText( _
        "How did you contact the customer in row {row}? (phone, visit, e-mail, WeChat, ...)", _
        "\u7B2C {row} \u884C\u7684\u5BA2\u6237\u662F\u600E\u6837\u8054\u7CFB\u7684?(\u7535\u8BDD\u3001\u62DC\u8BBF\u3001\u90AE\u4EF6\u3001\u5FAE\u4FE1\u2026\u2026)"), _
        "{row}", CStr(row)), title, CrmText("phone", "\u7535\u8BDD"), Type:=2)
    If VarType(channel) = vbBoolean Then Exit Sub ' Cancel
    note = Application.InputBox(CrmText("What was said or agreed? (may be left empty)", _
        "\u6C9F\u901A\u5185\u5BB9\u6216\u7EA6\u5B9A(\u53EF\u7559\u7A7A)"), title, "", Type:=2)
    If VarType(note) = vbBoolean Then Exit Sub
    If Not ActiveWorkbook Is book Then book.Activate ' RunPython works on the active workbook: the one asked about
    CrmRun "log_contact(" & CodeUnits(CStr(channel)) & ", " & CodeUnits(CStr(note)) & ", " & CodeUnits(sheet) & _
        ", " & CStr(row) & ", "
End Sub

Public Sub CrmPreviewReminders(control As IRibbonControl)
    CrmRun "preview_reminders"
End Sub

Public Sub CrmSendReminders(control As IRibbonControl)
    Dim question As String
    If Not CrmReady() Then Exit Sub
    question = CrmText("Send the due reminders now? Use Preview reminders first to check them.", _
        "\u73B0\u5728\u53D1\u9001\u5230\u671F\u7684\u63D0\u9192\u90AE\u4EF6\u5417?\u53EF\u5148\u7528\u201C\u9884\u89C8\u63D0\u9192\u201D\u68C0\u67E5\u3002")
    If CrmMsgBox(question, vbOKCancel + vbQuestion, CrmText("xlcrm: Send reminders", _
        "xlcrm:\u53D1\u9001\u63D0\u9192")) = vbOK Then CrmRun "send_reminders"
End Sub

Public Sub CrmBuildReport(control As IRibbonControl)
    CrmRun "build_report"
End Sub

Public Sub CrmSettings(control As IRibbonControl)
    CrmRun "settings"
End Sub

Public Sub CrmShowGroup(control As IRibbonControl, ByRef visible)
    ' Each group exists in both languages: show the one of Excel's UI language.
    visible = (LCase$(Right$(control.ID, 2)) = CrmLang())
End Sub

Public Sub CrmShowTab(control As IRibbonControl, ByRef visible)
    ' The add-in's tab always shows; a CRM workbook's own tab steps aside when the add-in is loaded.
    visible = ThisWorkbook.IsAddin Or Not AddinLoaded()
End Sub

Private Sub CrmRun(ByVal entry As String)
    ' entry is a function of xlcrm.ribbon, or its call up to the language argument.
    If Not CrmReady() Then Exit Sub
    If Right$(entry, 2) <> ", " Then entry = entry & "("
    Application.StatusBar = CrmSaid("starting") ' Python takes a few seconds to start: say so at once
    RunPython "import xlcrm.ribbon; xlcrm.ribbon." & entry & "'" & CrmLang() & "')"
    #If Not Mac Then
        Application.StatusBar = False ' Windows waits for Python; on a Mac xlwings' CleanUp resets it
    #End If
End Sub

Private Function CrmReady() As Boolean
    ' A workbook to work on and a Python to run, or one sentence saying what to do (instead of
    ' run-time error 91 inside RunPython, or xlwings' "Could not find Interpreter!").
    Dim python As String
    If CrmProtectedView() Then
        CrmSay CrmSaid("protected_view")
    ElseIf ActiveWorkbook Is Nothing Then
        CrmSay CrmSaid("no_workbook")
    ElseIf TypeName(ActiveSheet) <> "Worksheet" Then
        CrmSay CrmSaid("not_a_worksheet")
    ElseIf CrmUnsafeChars(ActiveWorkbook.FullName & ActiveWorkbook.Name) <> "" Then
        CrmSay Replace(CrmSaid("unsafe_name"), "{chars}", CrmUnsafeChars(ActiveWorkbook.FullName & ActiveWorkbook.Name))
    Else
        python = CrmPython()
        If python = "" Then
            CrmSay CrmSaid("no_python")
        ElseIf CrmPythonGone(python) Then
            CrmSay Replace(CrmSaid("python_gone"), "{python}", python)
        Else
            CrmReady = True
        End If
    End If
End Function

Private Function CrmUnsafeChars(ByVal location As String) As String
    ' The characters of the workbook's location that xlwings' RunPython would hand to a shell where they act
    ' ("": none). Mac: its AppleScript puts it inside "..." of a shell line, where $ and ` run commands and " and \
    ' end or escape the quotes (its ToPosixPath, inside an AppleScript "..."); | splits the script's parameters,
    ' moving the rest of the name to where the command goes. Windows: cmd.exe reads it outside quotes, where a ^
    ' undoes the ^ xlwings writes before an & (a command separator); names cannot hold " | < >.
    Dim unsafe As String, i As Long
    #If Mac Then
        unsafe = "$`""\|"
    #Else
        unsafe = "^"
    #End If
    For i = 1 To Len(unsafe)
        If InStr(location, Mid$(unsafe, i, 1)) > 0 Then CrmUnsafeChars = CrmUnsafeChars & " " & Mid$(unsafe, i, 1)
    Next i
    CrmUnsafeChars = LTrim$(CrmUnsafeChars)
End Function

Private Function CrmOwnSheet(ByVal sheet As String) As Boolean
    Dim own As Variant
    For Each own In Split(U(OWN_SHEETS), "|")
        If LCase$(own) = LCase$(sheet) Then CrmOwnSheet = True
    Next own
End Function

Private Function CrmProtectedView() As Boolean
    ' Late bound: Excel for Mac has no ActiveProtectedViewWindow.
    Dim app As Object
    Set app = Application
    On Error Resume Next
    CrmProtectedView = Not app.ActiveProtectedViewWindow Is Nothing
End Function

Private Function CrmPython() As String
    ' The Python `xlcrm install` wrote to xlcrm.conf (xlwings' GetConfig reads it).
    #If Mac Then
        CrmPython = GetConfig("INTERPRETER_MAC", "")
    #Else
        CrmPython = GetConfig("INTERPRETER_WIN", "")
    #End If
End Function

Private Function CrmPythonGone(ByVal python As String) As Boolean
    #If Mac Then
        CrmPythonGone = False ' outside Excel's sandbox a file cannot be looked at from VBA
    #Else
        CrmPythonGone = InStr(python, "\") > 0 And Not FileExists(python)
    #End If
End Function

Public Sub CrmPythonFailed(LogFile As String, Optional ByVal Message As String = "", _
                           Optional ByVal Started As Boolean = True)
    ' Called by xlwings instead of its ShowError (build.py routes every call here): with the file of
    ' Python's stderr, or with xlwings' own error text (Message), or on a Mac with what the shell said
    ' when it could not start Python at all (Started:=False). Keep the details in a file and say in one
    ' sentence what to do.
    Dim details As String, kept As String, said As String, f As Integer
    On Error Resume Next
    kept = CrmFolder() & Application.PathSeparator & PYTHON_LOG
    MkDir CrmFolder()
    If Message = "" Then
        details = ReadFile(LogFile)
        FileCopy LogFile, kept
    Else
        details = Message
        f = FreeFile
        Open kept For Output As #f
        Print #f, Message
        Close #f
    End If
    On Error GoTo 0
    Application.StatusBar = False
    If InStr(details, "No module named 'xlcrm") > 0 Or InStr(details, "No module named 'xlwings") > 0 Then
        said = CrmSaid("not_installed")
    ElseIf Not Started And InStr(details, "No such file or directory") > 0 And InStr(details, CrmPython()) > 0 Then
        said = CrmSaid("python_gone") ' the shell did not find the Python xlcrm.conf names
    ElseIf InStr(details, "Error") > 0 Or InStr(details, "Traceback") > 0 Then
        said = CrmSaid("python_failed")
    Else
        #If Mac Then
            If Started Then Exit Sub ' only warnings on stderr: Python did its work
        #End If
        said = CrmSaid("python_failed")
    End If
    CrmSay Replace(Replace(said, "{python}", CrmPython()), "{log}", kept)
End Sub

Public Sub CrmNoRunScript(ByVal script As String)
    ' Called by xlwings on a Mac instead of its "run 'xlwings runpython install'" box: Excel could not
    ' run the AppleScript that starts Python, which `xlcrm install` puts in Excel's scripts folder.
    CrmSay Replace(CrmSaid("no_run_script"), "{script}", script)
End Sub

Private Function CrmFolder() As String
    #If Mac Then
        CrmFolder = Environ("HOME") ' Excel's sandbox folder, where xlcrm.conf is
    #Else
        CrmFolder = Environ("USERPROFILE") & "\.xlcrm"
    #End If
End Function

Private Sub CrmSay(ByVal text As String)
    CrmMsgBox text, vbExclamation, "xlcrm"
End Sub

Private Function CrmMsgBox(ByVal text As String, ByVal buttons As Long, ByVal title As String) As Long
    ' xlcrm's only message box. VBA's MsgBox shows "???" for each character the system's ANSI code page
    ' lacks (Simplified Chinese on a Big5 or an English Windows); MessageBoxW takes the text as UTF-16.
    ' The vb* button and icon flags and the vbOK/vbCancel answers are the MB_*/ID* numbers of Windows.
    ' (Application.InputBox is Excel's own dialog and Unicode already.)
    #If Mac Then
        CrmMsgBox = MsgBox(text, buttons, title)
    #Else
        Dim owner As Variant
        owner = 0
        On Error Resume Next
        owner = Application.Hwnd ' the box belongs to Excel's window, in front of it
        On Error GoTo 0
        If owner = 0 Then buttons = buttons Or MB_TASKMODAL ' no window: still modal to Excel
        CrmMsgBox = MessageBoxW(owner, StrPtr(text), StrPtr(title), buttons)
    #End If
End Function

Private Function CrmSaid(ByVal key As String) As String
    ' What VBA says itself, in Excel's UI language; xlcrm.ribbon.PROMPTS holds the same texts.
    Select Case key
        Case "starting"
            CrmSaid = CrmText("xlcrm: starting Python ...", _
            "xlcrm:\u6B63\u5728\u542F\u52A8 Python\u2026\u2026")
        Case "no_workbook"
            CrmSaid = CrmText("Open your customer workbook first, then click the button again.", _
            "\u8BF7\u5148\u6253\u5F00\u5BA2\u6237\u8DDF\u8E2A\u5DE5\u4F5C\u7C3F,\u518D\u70B9\u51FB\u6B64" & _
            "\u6309\u94AE\u3002")
        Case "protected_view"
            CrmSaid = CrmText("This workbook is open in Protected View, where nothing can change it. Click Enable Editing" & _
            " in the yellow bar, then the button again.", _
            "\u6B64\u5DE5\u4F5C\u7C3F\u5728\u53D7\u4FDD\u62A4\u7684\u89C6\u56FE\u4E2D\u6253\u5F00,\u65E0" & _
            "\u6CD5\u4FEE\u6539\u3002\u8BF7\u70B9\u51FB\u9EC4\u8272\u63D0\u793A\u680F\u4E2D\u7684\u201C" & _
            "\u542F\u7528\u7F16\u8F91\u201D,\u518D\u70B9\u51FB\u6B64\u6309\u94AE\u3002")
        Case "not_a_worksheet"
            CrmSaid = CrmText("The active sheet is not a worksheet (a chart sheet?). Click the tab of your customer sheet" & _
            ", then the button again.", _
            "\u5F53\u524D\u9009\u4E2D\u7684\u4E0D\u662F\u5DE5\u4F5C\u8868(\u53EF\u80FD\u662F\u56FE\u8868" & _
            "\u5DE5\u4F5C\u8868)\u3002\u8BF7\u70B9\u51FB\u5BA2\u6237\u8868\u7684\u5DE5\u4F5C\u8868\u6807" & _
            "\u7B7E,\u518D\u70B9\u51FB\u6B64\u6309\u94AE\u3002")
        Case "no_python"
            CrmSaid = CrmText("xlcrm does not know which Python to run: xlcrm.conf is missing. Install xlcrm (README: Ins" & _
            "tall on Windows / macOS), run `xlcrm install`, then start Excel again.", _
            "xlcrm \u4E0D\u77E5\u9053\u8BE5\u4F7F\u7528\u54EA\u4E2A Python:\u7F3A\u5C11 xlcrm.conf\u3002" & _
            "\u8BF7\u5B89\u88C5 xlcrm(\u89C1 README \u7684\u5B89\u88C5\u8BF4\u660E),\u8FD0\u884C `xlcrm" & _
            " install`,\u7136\u540E\u91CD\u65B0\u6253\u5F00 Excel\u3002")
        Case "python_gone"
            CrmSaid = CrmText("The Python that xlcrm was installed with is not there any more: {python}. Install xlcrm in" & _
            "to the Python you use now and run `xlcrm install` again.", _
            "\u5B89\u88C5 xlcrm \u65F6\u4F7F\u7528\u7684 Python \u5DF2\u4E0D\u5B58\u5728:{python}\u3002" & _
            "\u8BF7\u5728\u73B0\u5728\u4F7F\u7528\u7684 Python \u4E2D\u5B89\u88C5 xlcrm,\u5E76\u518D\u6B21" & _
            "\u8FD0\u884C `xlcrm install`\u3002")
        Case "not_installed"
            CrmSaid = CrmText("xlcrm is not installed in the Python Excel runs ({python}). Install it there (README: Inst" & _
            "all on Windows / macOS) and run `xlcrm install` again. Details: {log}", _
            "Excel \u6240\u7528\u7684 Python({python})\u4E2D\u6CA1\u6709\u5B89\u88C5 xlcrm\u3002\u8BF7\" & _
            "u5728\u5176\u4E2D\u5B89\u88C5 xlcrm(\u89C1 README \u7684\u5B89\u88C5\u8BF4\u660E),\u5E76\u518D" & _
            "\u6B21\u8FD0\u884C `xlcrm install`\u3002\u8BE6\u7EC6\u4FE1\u606F:{log}")
        Case "python_failed"
            CrmSaid = CrmText("Python stopped before xlcrm could say why. The details are in {log}: please send that file" & _
            " with a short note of what you clicked.", _
            "Python \u5728 xlcrm \u8BF4\u660E\u539F\u56E0\u4E4B\u524D\u5C31\u505C\u6B62\u4E86\u3002\u8BE6" & _
            "\u7EC6\u4FE1\u606F\u5728 {log},\u8BF7\u628A\u8BE5\u6587\u4EF6\u8FDE\u540C\u64CD\u4F5C\u8BF4" & _
            "\u660E\u4E00\u8D77\u53D1\u7ED9\u7EF4\u62A4\u4EBA\u5458\u3002")
        Case "unsafe_name"
            CrmSaid = CrmText("xlcrm does not run on this workbook: its file name or folder has {chars}, which Excel would hand to " & _
            "the command that starts Python, where they can run commands hidden in the name. Save the workbook (F" & _
            "ile > Save As) under a name and in a folder without them, then click the button again.", _
            "xlcrm \u4E0D\u80FD\u5904\u7406\u6B64\u5DE5\u4F5C\u7C3F:\u5B83\u7684\u6587\u4EF6\u540D\u6216" & _
            "\u6240\u5728\u6587\u4EF6\u5939\u542B\u6709\u201C{chars}\u201D,Excel \u4F1A\u628A\u8FD9\u4E9B" & _
            "\u5B57\u7B26\u4EA4\u7ED9\u542F\u52A8 Python \u7684\u547D\u4EE4,\u540D\u79F0\u4E2D\u6697\u85CF" & _
            "\u7684\u547D\u4EE4\u53EF\u80FD\u56E0\u6B64\u88AB\u6267\u884C\u3002\u8BF7\u7528\u201C\u6587\u4EF6" & _
            " > \u53E6\u5B58\u4E3A\u201D\u4EE5\u4E0D\u542B\u8FD9\u4E9B\u5B57\u7B26\u7684\u540D\u79F0\u4FDD" & _
            "\u5B58\u5230\u4E0D\u542B\u8FD9\u4E9B\u5B57\u7B26\u7684\u6587\u4EF6\u5939,\u518D\u70B9\u51FB" & _
            "\u6B64\u6309\u94AE\u3002")
        Case "own_sheet"
            CrmSaid = CrmText("'{sheet}' is a sheet xlcrm writes: it has no customer to log. Select the customer's row in your cust" & _
            "omer sheet (on the due list, its Row column says which), then click Log contact again.", _
            "\u201C{sheet}\u201D\u662F xlcrm \u751F\u6210\u7684\u5DE5\u4F5C\u8868,\u5176\u4E2D\u6CA1\u6709" & _
            "\u53EF\u8BB0\u5F55\u7684\u5BA2\u6237\u3002\u8BF7\u5728\u5BA2\u6237\u8868\u4E2D\u9009\u4E2D\u8BE5" & _
            "\u5BA2\u6237\u6240\u5728\u7684\u884C(\u5F85\u8DDF\u8FDB\u6E05\u5355\u7684\u201C\u884C\u53F7" & _
            "\u201D\u5217\u7ED9\u51FA\u4E86\u884C\u53F7),\u518D\u70B9\u51FB\u201C\u8BB0\u5F55\u8DDF\u8FDB" & _
            "\u201D\u3002")
        Case "no_run_script"
            CrmSaid = CrmText("Excel cannot run xlwings' RunPython script {script} (it belongs in ~/Library/Application Scripts/com" & _
            ".microsoft.Excel). Quit Excel, run `xlcrm install` again, then start Excel and click the button agai" & _
            "n.", _
            "Excel \u65E0\u6CD5\u8FD0\u884C xlwings \u7684 RunPython \u811A\u672C {script}(\u5E94\u5728" & _
            " ~/Library/Application Scripts/com.microsoft.Excel \u4E2D)\u3002\u8BF7\u9000\u51FA Excel," & _
            "\u518D\u6B21\u8FD0\u884C `xlcrm install`,\u7136\u540E\u91CD\u65B0\u6253\u5F00 Excel \u5E76" & _
            "\u518D\u6B21\u70B9\u51FB\u6B64\u6309\u94AE\u3002")
    End Select
End Function

Private Function CrmLang() As String
    ' XLCRM_LANG (zh or en) if set, else Excel's UI language: Chinese for the Chinese UIs.
    Dim wanted As String, ui As Long
    wanted = LCase$(Left$(Environ$("XLCRM_LANG"), 2))
    If wanted = "zh" Or wanted = "en" Then
        CrmLang = wanted
        Exit Function
    End If
    ui = 1033
    On Error Resume Next
    ui = Application.LanguageSettings.LanguageID(msoLanguageIDUI)
    On Error GoTo 0
    Select Case ui
        Case 2052, 1028, 3076, 4100, 5124
            CrmLang = "zh"
        Case Else
            CrmLang = "en"
    End Select
End Function

Private Function CrmText(ByVal english As String, ByVal chinese As String) As String
    If CrmLang() = "zh" Then CrmText = U(chinese) Else CrmText = english
End Function

Private Function U(ByVal escaped As String) As String
    ' Text with \uXXXX escapes decoded.
    Dim i As Long, decoded As String
    i = 1
    Do While i <= Len(escaped)
        If Mid$(escaped, i, 2) = "\u" Then
            decoded = decoded & ChrW(CLng("&H" & Mid$(escaped, i + 2, 4)))
            i = i + 6
        Else
            decoded = decoded & Mid$(escaped, i, 1)
            i = i + 1
        End If
    Loop
    U = decoded
End Function

Private Function CodeUnits(ByVal text As String) As String
    ' "[27700,35805]": the text's UTF-16 code units, a Python list.
    Dim i As Long, units() As String
    If Len(text) = 0 Then
        CodeUnits = "[]"
        Exit Function
    End If
    ReDim units(1 To Len(text))
    For i = 1 To Len(text)
        units(i) = CStr(AscW(Mid$(text, i, 1)) And &HFFFF&)
    Next i
    CodeUnits = "[" & Join(units, ",") & "]"
End Function

Private Function AddinLoaded() As Boolean
    Dim book As Workbook
    On Error Resume Next
    Set book = Workbooks(ADDIN_NAME)
    AddinLoaded = Not book Is Nothing
End Function
