package server

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/quiverdb/quiver/sql/pgerror"
)

// toPgError turns any error into a client-facing report. A bare context
// cancellation becomes 57014 so a statement that did not translate it
// itself still reports what PostgreSQL would.
func toPgError(err error) *pgerror.Error {
	var pe *pgerror.Error
	if errors.As(err, &pe) {
		return pe
	}
	if errors.Is(err, context.Canceled) {
		return pgerror.New(pgerror.CodeQueryCanceled, "canceling statement due to user request")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return pgerror.New(pgerror.CodeQueryCanceled, "canceling statement due to statement timeout")
	}
	return pgerror.Convert(err)
}

// errorResponse builds the wire form of a report; severity overrides the
// report's own when not empty (FATAL for errors that end the connection).
func errorResponse(pe *pgerror.Error, severity string) *pgproto3.ErrorResponse {
	sev := pe.Severity
	if severity != "" {
		sev = severity
	}
	if sev == "" {
		sev = "ERROR"
	}
	code := pe.Code
	if code == "" {
		code = pgerror.CodeInternal
	}
	return &pgproto3.ErrorResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                code,
		Message:             pe.Message,
		Detail:              pe.Detail,
		Hint:                pe.Hint,
		Position:            int32(pe.Position),
		Where:               pe.Where,
		SchemaName:          pe.Schema,
		TableName:           pe.Table,
		ColumnName:          pe.Column,
		DataTypeName:        pe.DataType,
		ConstraintName:      pe.Constraint,
	}
}

// noticeResponse builds the wire form of a notice.
func noticeResponse(pe *pgerror.Error) *pgproto3.NoticeResponse {
	sev := pe.Severity
	if sev == "" {
		sev = "NOTICE"
	}
	code := pe.Code
	if code == "" {
		code = pgerror.CodeSuccessfulCompletion
	}
	return &pgproto3.NoticeResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                code,
		Message:             pe.Message,
		Detail:              pe.Detail,
		Hint:                pe.Hint,
		Position:            int32(pe.Position),
		Where:               pe.Where,
		SchemaName:          pe.Schema,
		TableName:           pe.Table,
		ColumnName:          pe.Column,
		DataTypeName:        pe.DataType,
		ConstraintName:      pe.Constraint,
	}
}
