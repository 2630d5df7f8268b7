/** A small note for the review command tests: a title, a heading, a link with a title, code and emphasis. */
export const NOTE = `---
title: Models and tools
lang: en
---

# Getting started

Run \`npm ci\` and read [the guide](https://example.com/guide "Guide").

The second paragraph is plain prose about models.

The third paragraph mentions *emphasis* and \`code\`.

The last paragraph.
`
