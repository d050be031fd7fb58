"""Development conveniences: embedded services and demo data. Refused in production."""
