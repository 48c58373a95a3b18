// Avatar colour and initials. Colours: 16 hues around the wheel, each dark enough for
// white initials at 4.5:1 or more, chosen by a hash of the user id (stable, and spread:
// two people rarely share one). Initials: the first letter of the first two words that
// have one, so "(Bob) o'Neil 42" is "BO", not "(O".
export const AVATAR_PALETTE = [
  '#cc3333', '#af5d2c', '#8b7123', '#6f7a1f', '#4f7e20', '#2d8321', '#218339', '#21835e',
  '#207e7e', '#2b7bab', '#3359cc', '#4633cc', '#7f33cc', '#b933cc', '#c832a2', '#cc336c',
] as const;

export function avatarColor(userId: string): string {
  // FNV-1a: cheap, and unlike a sum of char codes it spreads similar ids apart.
  let h = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    h ^= userId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return AVATAR_PALETTE[h % AVATAR_PALETTE.length]!;
}

export function avatarInitials(name: string): string {
  const letters = name
    .split(/\s+/)
    .map((word) => /\p{L}/u.exec(word)?.[0])
    .filter((l): l is string => Boolean(l))
    .slice(0, 2);
  return letters.length ? letters.join('').toLocaleUpperCase() : '?';
}
