"""The composition root: settings → storage → channels → engine → web, and the service loop."""
