# cmake -DXDRSYNC_BIN=... -DOUT=xdrsync.1 -DVERSION=x.y.z -P ManPage.cmake
# Wraps `xdrsync --help` in a minimal man page: NAME, SYNOPSIS and the help text verbatim.
execute_process(COMMAND ${XDRSYNC_BIN} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "xdrsync --help exited ${rc}")
endif()
# roff: a leading dot or quote would be read as a request, a backslash as an escape.
string(REPLACE "\\" "\\e" help "${help}")
string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")
file(WRITE ${OUT} ".TH XDRSYNC 1 \"\" \"xdrsync ${VERSION}\" \"User Commands\"
.SH NAME
xdrsync \\- Microsoft Defender XDR and Microsoft Sentinel incident sync
.SH SYNOPSIS
.B xdrsync
[\\fB\\-\\-config\\fR \\fIFILE\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR]
.SH DESCRIPTION
.nf
${help}.fi
.SH FILES
.TP
.I /etc/xdrsync/xdrsync.json
the configuration (example: /usr/share/doc/xdrsync/examples/xdrsync.example.json)
.TP
.I /var/lib/xdrsync/state.db
the state database
.SH SEE ALSO
.BR systemctl (1),
.BR journalctl (1),
/usr/share/doc/xdrsync/operations.md
")
