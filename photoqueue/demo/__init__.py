"""The simulated collection day: one real station process per room on a simulated clock, students
arriving class by class, a photographer pressing, a virtual printer, the central service and its
dashboard. It may import every part of photoqueue; nothing imports it."""
