-- Issue 17 item 3: human ratings are shown beside the model jury and join the version score only when the experiment says so.
ALTER TABLE experiments ADD COLUMN human_ratings_join_score boolean NOT NULL DEFAULT false;
