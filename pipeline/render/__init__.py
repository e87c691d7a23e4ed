"""The HTML report: the data it shows and the markup of each section."""
