"""Where the hall server keeps what outlives a request: settings, database, clock, caches and limits."""
