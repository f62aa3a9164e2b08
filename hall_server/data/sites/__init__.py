"""Site rules, one TOML file per site (the file name is the site code)."""
