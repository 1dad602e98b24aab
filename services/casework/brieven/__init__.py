"""Letters of the burgemeester to the person: the notificatiebrief and the afsluitbrief."""
