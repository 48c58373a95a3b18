// Message times in the reader's locale: "2:05 PM" (or "14:05") today, "Mar 3, 2:05 PM"
// before that; the hour without a leading zero, as people write it. The full date and
// time is for hovering. createdAt is display-only.
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dateTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

function parse(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function formatTime(iso: string, now: Date = new Date()): string {
  const d = parse(iso);
  if (!d) return '';
  return d.toDateString() === now.toDateString() ? timeOnly.format(d) : dateTime.format(d);
}

/** "Tuesday, March 3, 2026 at 2:05 PM": for the title of a message's time. */
export function formatFullTime(iso: string): string {
  const d = parse(iso);
  return d ? full.format(d) : '';
}

const weekdayDate = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
const fullDate = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'long', day: 'numeric' });

/** The day separator's words: "Today", "Yesterday", "Monday, March 2", or with the year when it is not this one. */
export function dayLabel(iso: string, now: Date = new Date()): string {
  const d = parse(iso);
  if (!d) return '';
  if (d.toDateString() === now.toDateString()) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (d.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return d.getFullYear() === now.getFullYear() ? weekdayDate.format(d) : fullDate.format(d);
}

/** Whether two instants fall on different days where the reader is. */
export function differentDay(a: string, b: string): boolean {
  const x = parse(a);
  const y = parse(b);
  return !x || !y || x.toDateString() !== y.toDateString();
}
