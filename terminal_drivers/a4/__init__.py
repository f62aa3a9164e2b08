"""A4 printing through CUPS over IPP: the queue's state and reasons, the job watcher, the test page."""
