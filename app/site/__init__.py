"""The site itself: health check, language choice, error pages."""
