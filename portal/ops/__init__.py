"""Operations: backup and restore (`flask portal backup PATH`, `flask portal restore PATH`)."""
