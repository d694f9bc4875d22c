-- The audit page filters one project's rows by person or action, newest first; project + time alone is 0001's index.
CREATE INDEX audit_log_project_user_time ON audit_log (project_id, user_id, created_at DESC);
CREATE INDEX audit_log_project_action_time ON audit_log (project_id, action, created_at DESC);
