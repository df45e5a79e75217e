"""Operations: readiness, structured logs with a request id, Prometheus metrics (issue 15, point 4)."""
