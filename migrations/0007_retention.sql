-- 0007: retention (issue 15, finding 6). The cron sweep deletes finished render records past their
-- retention (test renders sooner, with their outputs), purges deleted templates' versions once no
-- open render needs them, and an update prunes a template's versions beyond the last N — keeping
-- the ones a request pinned (`tpl_…@3`) lately, which last_pinned_at records (at most once a day).

-- Test renders expire sooner than live ones: the sweep finds them oldest first without scanning live rows.
CREATE INDEX renders_test_created ON renders (created_at) WHERE mode = 'test';

-- Deleted templates waiting for the sweep to purge their versions.
CREATE INDEX templates_deleted ON templates (deleted_at) WHERE deleted_at IS NOT NULL;

ALTER TABLE template_versions ADD COLUMN last_pinned_at TEXT;
