"""The village ledger (脱贫劳动力台账) in Excel: its format, import, export and pages."""
