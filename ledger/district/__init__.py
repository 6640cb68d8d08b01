"""The district's copy of each ward: `aid sync` and the guard over the copies."""
