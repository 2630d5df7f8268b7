/** The glossary: format, matching, application, verification, fingerprints and the offline check. */
export * from './load.js'
