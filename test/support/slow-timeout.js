// e2e and integration tests boot real apps (PGlite, Postgres, Redis): give each test 60 s.
jest.setTimeout(60_000);
