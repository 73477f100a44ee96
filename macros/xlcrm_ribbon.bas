Attribute VB_Name = "xlcrm_ribbon"
' The CRM tab's callbacks (workbook/customUI14.xml). Each button runs the function of the
' same name in the Python module xlcrm.ribbon through xlwings' RunPython; the work and
' every message are there. Built into xlcrm.xlam and the CRM workbook by `xlcrm build`.
'
' VBA keeps its source in the ANSI code page, so the few Chinese texts asked for here are
' written as \u escapes (U decodes them); xlcrm.ribbon.PROMPTS holds the same texts.
Option Explicit

Private Const ADDIN_NAME As String = "xlcrm.xlam"

Public Sub CrmRefreshScores(control As IRibbonControl)
    CrmRun "refresh_scores"
End Sub

Public Sub CrmHighlightFollowups(control As IRibbonControl)
    CrmRun "highlight_followups"
End Sub

Public Sub CrmLogContact(control As IRibbonControl)
    ' Asks how and what, then passes both as UTF-16 code units: typed text never becomes Python code.
    Dim channel As Variant, note As Variant, title As String, row As Long
    If TypeName(Selection) <> "Range" Then
        CrmRun "log_contact([], [], "
        Exit Sub
    End If
    row = Selection.Row
    title = CrmText("xlcrm: Log contact", "xlcrm:\u8BB0\u5F55\u8DDF\u8FDB")
    channel = Application.InputBox(Replace(CrmText( _
        "How did you contact the customer in row {row}? (phone, visit, e-mail, WeChat, ...)", _
        "\u7B2C {row} \u884C\u7684\u5BA2\u6237\u662F\u600E\u6837\u8054\u7CFB\u7684?(\u7535\u8BDD\u3001\u62DC\u8BBF\u3001\u90AE\u4EF6\u3001\u5FAE\u4FE1\u2026\u2026)"), _
        "{row}", CStr(row)), title, CrmText("phone", "\u7535\u8BDD"), Type:=2)
    If VarType(channel) = vbBoolean Then Exit Sub ' Cancel
    note = Application.InputBox(CrmText("What was said or agreed? (may be left empty)", _
        "\u6C9F\u901A\u5185\u5BB9\u6216\u7EA6\u5B9A(\u53EF\u7559\u7A7A)"), title, "", Type:=2)
    If VarType(note) = vbBoolean Then Exit Sub
    CrmRun "log_contact(" & CodeUnits(CStr(channel)) & ", " & CodeUnits(CStr(note)) & ", "
End Sub

Public Sub CrmPreviewReminders(control As IRibbonControl)
    CrmRun "preview_reminders"
End Sub

Public Sub CrmSendReminders(control As IRibbonControl)
    Dim question As String
    question = CrmText("Send the due reminders now? Use Preview reminders first to check them.", _
        "\u73B0\u5728\u53D1\u9001\u5230\u671F\u7684\u63D0\u9192\u90AE\u4EF6\u5417?\u53EF\u5148\u7528\u201C\u9884\u89C8\u63D0\u9192\u201D\u68C0\u67E5\u3002")
    If MsgBox(question, vbOKCancel + vbQuestion, CrmText("xlcrm: Send reminders", _
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
    If Right$(entry, 2) <> ", " Then entry = entry & "("
    RunPython "import xlcrm.ribbon; xlcrm.ribbon." & entry & "'" & CrmLang() & "')"
End Sub

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
