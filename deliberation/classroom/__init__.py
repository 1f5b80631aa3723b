"""The classroom server's backends: where debates are stored, how their events travel, which replica drives each."""
