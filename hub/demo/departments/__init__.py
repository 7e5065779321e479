"""One builder per export: each turns world facts into :class:`~hub.demo.records.Rec` rows."""
