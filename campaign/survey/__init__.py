"""The residents' satisfaction survey's domain: configuration defaults, one-time codes, quality
control and statistics. Views and actions call these; nothing here reads a request."""
