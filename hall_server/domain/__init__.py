"""Pure rules of the hall: calendar, sites, holidays, bookings, queue, reviews, catalogue, ID numbers."""
