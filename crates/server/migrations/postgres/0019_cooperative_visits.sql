-- A cooperative's visits newest visit first, paged on the server for a supervisor's
-- cooperative page (GET /api/visits?cooperative=…&order=visit_date). Its first column
-- serves what visit_reports_cooperative served (reports by cooperative), so that one goes.
CREATE INDEX visit_reports_cooperative_date ON visit_reports(cooperative_id, visit_date DESC, id);
DROP INDEX visit_reports_cooperative;
