"""Request glue shared by every blueprint: access, errors, filters, htmx, inputs, navigation, forms, paging."""
