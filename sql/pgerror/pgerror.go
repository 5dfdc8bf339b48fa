// Package pgerror owns the error values that reach clients: a PostgreSQL
// SQLSTATE, message and the optional fields of an ErrorResponse. Every layer
// creates these so the server never has to guess a code from a Go error.
package pgerror

import (
	"errors"
	"fmt"
)

// SQLSTATE codes used across Quiver. Names follow PostgreSQL's errcodes.txt.
const (
	CodeSuccessfulCompletion        = "00000"
	CodeWarning                     = "01000"
	CodeFeatureNotSupported         = "0A000"
	CodeInvalidCatalogName          = "3D000"
	CodeInvalidSchemaName           = "3F000"
	CodeSyntaxError                 = "42601"
	CodeUndefinedTable              = "42P01"
	CodeUndefinedColumn             = "42703"
	CodeUndefinedFunction           = "42883"
	CodeUndefinedObject             = "42704"
	CodeUndefinedParameter          = "42P02"
	CodeDuplicateTable              = "42P07"
	CodeDuplicateSchema             = "42P06"
	CodeDuplicateDatabase           = "42P04"
	CodeDuplicateColumn             = "42701"
	CodeDuplicateObject             = "42710"
	CodeUnsafeNewEnumValueUsage     = "55P04"
	CodeAmbiguousColumn             = "42702"
	CodeAmbiguousFunction           = "42725"
	CodeDatatypeMismatch            = "42804"
	CodeGroupingError               = "42803"
	CodeInvalidColumnReference      = "42P10"
	CodeWrongObjectType             = "42809"
	CodeUndefinedPreparedStatement  = "26000"
	CodeInvalidCursorName           = "34000"
	CodeCannotCoerce                = "42846"
	CodeInvalidTableDefinition      = "42P16"
	CodeInvalidColumnDefinition     = "42611"
	CodeInvalidParameterValue       = "22023"
	CodeInvalidTextRepresentation   = "22P02"
	CodeInvalidBinaryRepresentation = "22P03"
	CodeNumericValueOutOfRange      = "22003"
	CodeDivisionByZero              = "22012"
	CodeStringDataRightTruncation   = "22001"
	CodeStringDataLengthMismatch    = "22026"
	CodeSubstringError              = "22011"
	CodeInvalidDatetimeFormat       = "22007"
	CodeDatetimeFieldOverflow       = "22008"
	CodeDataException               = "22000"
	CodeArraySubscriptError         = "2202E"
	CodeCardinalityViolation        = "21000"
	CodeInvalidEscapeSequence       = "22025"
	CodeNullValueNotAllowed         = "22004"
	CodeInvalidJSONText             = "22P02"
	CodeNotNullViolation            = "23502"
	CodeUniqueViolation             = "23505"
	CodeForeignKeyViolation         = "23503"
	CodeCheckViolation              = "23514"
	CodeInFailedSQLTransaction      = "25P02"
	CodeActiveSQLTransaction        = "25001"
	CodeNoActiveSQLTransaction      = "25P01"
	CodeIdleInTransactionTimeout    = "25P03"
	CodeReadOnlySQLTransaction      = "25006"
	CodeSerializationFailure        = "40001"
	CodeDeadlockDetected            = "40P01"
	CodeLockNotAvailable            = "55P03"
	CodeQueryCanceled               = "57014"
	CodeAdminShutdown               = "57P01"
	CodeObjectInUse                 = "55006"
	CodeTooManyConnections          = "53300"
	CodeDiskFull                    = "53100"
	CodeIOError                     = "58030"
	CodeProgramLimitExceeded        = "54000"
	CodeProtocolViolation           = "08P01"
	CodeInvalidPassword             = "28P01"
	CodeInvalidAuthorization        = "28000"
	CodeDependentObjectsStillExist  = "2BP01"
	CodeInternal                    = "XX000"
	CodeDataCorrupted               = "XX001"
	CodeInsufficientPrivilege       = "42501"
	CodeWindowingError              = "42P20"
	CodeIndeterminateDatatype       = "42P18"
	CodeExternalRoutineInvocation   = "39000"
)

// Error is a PostgreSQL error report. Position is a 1-based character offset
// into the statement text, 0 when there is none.
type Error struct {
	Severity   string // ERROR by default; NOTICE/WARNING for notices
	Code       string
	Message    string
	Detail     string
	Hint       string
	Position   int
	Where      string
	Schema     string
	Table      string
	Column     string
	DataType   string
	Constraint string
	cause      error
}

func (e *Error) Error() string { return e.Message }

// Unwrap exposes the Go error this report was built from, if any.
func (e *Error) Unwrap() error { return e.cause }

// New builds an error with a formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Severity: "ERROR", Code: code, Message: fmt.Sprintf(format, args...)}
}

// Notice builds a NOTICE-level report.
func Notice(format string, args ...any) *Error {
	return &Error{Severity: "NOTICE", Code: CodeSuccessfulCompletion, Message: fmt.Sprintf(format, args...)}
}

// Wrap turns an arbitrary error into a report with the given code, keeping a
// *Error untouched so the most specific code wins.
func Wrap(err error, code, context string) *Error {
	if err == nil {
		return nil
	}
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	msg := err.Error()
	if context != "" {
		msg = context + ": " + msg
	}
	return &Error{Severity: "ERROR", Code: code, Message: msg, cause: err}
}

// WithPosition returns a copy carrying the 1-based character position.
func (e *Error) WithPosition(pos int) *Error {
	c := *e
	c.Position = pos
	return &c
}

// WithDetail returns a copy carrying a DETAIL line.
func (e *Error) WithDetail(format string, args ...any) *Error {
	c := *e
	c.Detail = fmt.Sprintf(format, args...)
	return &c
}

// WithCause returns a copy whose chain holds cause, so that callers can
// recognise the condition with errors.Is while clients see the report.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// WithHint returns a copy carrying a HINT line.
func (e *Error) WithHint(format string, args ...any) *Error {
	c := *e
	c.Hint = fmt.Sprintf(format, args...)
	return &c
}

// Convert returns err as a report: itself when it already is one (anywhere in
// its chain), otherwise an internal error (XX000) carrying its text.
func Convert(err error) *Error {
	if err == nil {
		return nil
	}
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	return &Error{Severity: "ERROR", Code: CodeInternal, Message: err.Error(), cause: err}
}

// CodeOf returns the SQLSTATE of err, XX000 for a plain Go error.
func CodeOf(err error) string {
	if err == nil {
		return ""
	}
	return Convert(err).Code
}
