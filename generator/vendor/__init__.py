"""Third-party browser files shipped with the package, each in a folder named for it."""
