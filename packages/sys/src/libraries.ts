// The C libraries hull calls into, each loaded once for the whole process:
// every binding under @hull/sys takes its library from here.
import koffi from 'koffi';

export const libc = koffi.load('libc.so.6');
