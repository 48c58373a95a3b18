// Times, day separators and avatars as the issue 14 walk-through expects them.
import { describe, expect, it } from 'vitest';
import { dayLabel, formatFullTime, formatTime } from '../../../renderer/app/formatTime';
import { AVATAR_PALETTE, avatarColor, avatarInitials } from '../../../renderer/app/avatar';

describe('times', () => {
  const now = new Date(2026, 2, 3, 15, 0);
  it('has no leading zero on the hour, and adds the date before today', () => {
    expect(formatTime(new Date(2026, 2, 3, 9, 5).toISOString(), now)).toMatch(/^9[:.]05/);
    expect(formatTime(new Date(2026, 2, 1, 9, 5).toISOString(), now)).toMatch(/1.*9[:.]05/);
    expect(formatFullTime(new Date(2026, 2, 1, 9, 5).toISOString())).toMatch(/2026/);
  });

  it('labels days Today, Yesterday, then by date (with the year only when it is not this one)', () => {
    expect(dayLabel(new Date(2026, 2, 3, 0, 1).toISOString(), now)).toBe('Today');
    expect(dayLabel(new Date(2026, 2, 2, 23, 59).toISOString(), now)).toBe('Yesterday');
    expect(dayLabel(new Date(2026, 1, 27, 12).toISOString(), now)).not.toMatch(/2026/);
    expect(dayLabel(new Date(2025, 11, 31, 12).toISOString(), now)).toMatch(/2025/);
  });
});

describe('avatars', () => {
  it('spread ids over at least 16 colours', () => {
    const seen = new Set(Array.from({ length: 400 }, (_, i) => avatarColor(`user-${i}`)));
    expect(AVATAR_PALETTE.length).toBeGreaterThanOrEqual(16);
    expect(seen.size).toBe(AVATAR_PALETTE.length);
  });

  it('take initials from letters only', () => {
    expect(avatarInitials("(Bob) o'Neil 42")).toBe('BO');
    expect(avatarInitials('  ann  ')).toBe('A');
    expect(avatarInitials('אנה כהן')).toBe('אכ');
    expect(avatarInitials('42 !!')).toBe('?');
  });
});
