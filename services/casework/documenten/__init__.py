"""Documents (attachments) of a casus or an information item: signed consent forms, reports."""
