"""Files the portal reads and writes, in one place: what an uploaded package may hold before a parser
opens it (`packages`), how a file is written so that a full disk or a crash leaves nothing half-made
and nothing readable by other accounts on the host (`storage`), and what is swept away when it is
left behind (`cleanup`, which reads the models to know which files a record names). No blueprints
and no domain logic here: the domains call in.
"""
