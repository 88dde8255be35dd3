"""The statutory clock: business days in England and Wales, and the dates of a planning application."""

from shared.calendar.business_days import ENGLAND_AND_WALES, LONDON, BusinessCalendar, london_date

__all__ = ["ENGLAND_AND_WALES", "LONDON", "BusinessCalendar", "london_date"]
