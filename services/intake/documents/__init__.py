"""Intake's document fetcher: downloads the files a submission names into the document store, safely."""
