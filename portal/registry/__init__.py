"""The labour register (脱贫劳动力台账): households, people, cadre relations."""
