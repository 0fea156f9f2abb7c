// The email addresses inside a free text, in one linear pass. It finds exactly what
//   /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g
// matches, but that regex backtracks quadratically: for every start in a long run of local-part
// characters it rescans to the '@' and the whole domain looking for a dot, so 'a' x 8,000 + '@' +
// 'a' x 8,000 (within the 16 KiB string limit) took ~170 ms, and a message of such strings
// seconds (#14). Here each '@' looks left over its local part and right over its domain once;
// neither run can cross another '@', so every character is visited at most twice.

const isLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
/** [A-Za-z0-9.-] */
const isDomainChar = (c: number): boolean => isLetter(c) || isDigit(c) || c === 0x2e || c === 0x2d;
/** [A-Za-z0-9._%+-] */
const isLocalChar = (c: number): boolean => isDomainChar(c) || c === 0x5f || c === 0x25 || c === 0x2b;

/** End of the match whose domain run is text[from, to): the regex's greedy domain gives back
 *  characters until `\.[A-Za-z]{2,}` fits, i.e. the last dot (not the run's first character)
 *  followed by two letters; the top-level domain then takes every letter after it. -1: none. */
function domainMatchEnd(text: string, from: number, to: number): number {
  for (let dot = to - 3; dot > from; dot--) {
    if (text.charCodeAt(dot) !== 0x2e) continue;
    if (!isLetter(text.charCodeAt(dot + 1)) || !isLetter(text.charCodeAt(dot + 2))) continue;
    let end = dot + 3;
    while (end < to && isLetter(text.charCodeAt(end))) end++;
    return end;
  }
  return -1;
}

/** [start, end) of every email in `text`, left to right, not overlapping (as String.replace with
 *  the global regex above would see them). */
export function findEmailsInText(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let from = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > from && isLocalChar(text.charCodeAt(start - 1))) start--;
    if (start === at) continue;
    let domainEnd = at + 1;
    while (domainEnd < text.length && isDomainChar(text.charCodeAt(domainEnd))) domainEnd++;
    const end = domainMatchEnd(text, at + 1, domainEnd);
    if (end === -1) continue;
    spans.push([start, end]);
    from = end;
    at = end - 1;
  }
  return spans;
}
