/** The one function the interoperability test uses from the `xliff` package (it ships no types). */
declare module 'xliff/xliff2js' {
  export default function xliff2js(xml: string): Promise<unknown>
}
