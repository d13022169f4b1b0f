/**
 * E-mail addresses on the wire, with no zod import (the console imports this). Kefu gives people
 * with no e-mail a stable address of its own in the domain reserved never to resolve (RFC 2606
 * `.invalid`): customers known only by phone (`phone-<digits>@phone.invalid`), erased customers
 * (`erased-<id>@erased.invalid`) and chat-channel contacts. Such an address is no e-mail: it is
 * shown as "no e-mail", never as an address to write to.
 */
export const isPlaceholderAddress = (address: string): boolean => /\.invalid$/i.test(address.trim());
