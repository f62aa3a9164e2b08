"""Notices to citizens whose turn is near (an SMS or a WeChat subscription message in a real hall)."""
