"""One builder per export: each turns world facts into :class:`~hub.datasets.records.Rec` rows."""
