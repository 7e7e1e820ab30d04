"""Framework-free rules shared by every persistence path: no Litestar, no ORM."""
