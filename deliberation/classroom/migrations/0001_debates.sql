-- Debate records: the teacher's spec, token hashes, status, pending graph input, as one JSON document per debate.
-- status and silence_deadline are columns too, for the queries every replica runs to find work.
CREATE TABLE debates (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    silence_deadline DOUBLE PRECISION,
    record JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX debates_live ON debates (status) WHERE status IN ('running', 'waiting');
