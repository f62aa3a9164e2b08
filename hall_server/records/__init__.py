"""Records a citizen can query and print, one adapter per kind (demo adapter built in)."""
