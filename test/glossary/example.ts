/**
 * A small glossary built for the tests: every rule has an entry that exercises it, and nothing
 * depends on the project's own `glossary.json` (which has its own test).
 */
import {type Glossary, parseGlossary} from '../../src/glossary/load.js'

export const exampleJson = {
  version: 1,
  entries: [
    {term: 'Qwen', keep: true},
    {term: 'CTO', keep: true},
    {term: 'Jingren Zhou', variants: ['Zhou Jingren'], keep: true, translations: {zh: '周靖人', 'zh-Hant': '周靖人'}},
    {term: 'Microsoft', keep: true, translations: {zh: '微软', '*': 'Microsoft'}},
    {term: 'Alibaba Cloud', translations: {zh: '阿里云', 'zh-Hant': '阿里雲', '*': 'Alibaba Cloud'}},
    {term: 'Alibaba Cloud Intelligence', translations: {zh: '阿里云智能', '*': 'Alibaba Cloud Intelligence'}},
    {
      term: 'Chief Technology Officer',
      note: 'Executive title.',
      translations: {
        es: {
          target: 'director de tecnología',
          variants: ['directora de tecnología'],
          forbidden: ['oficial jefe de tecnología', 'jefe de tecnología']
        },
        fr: {target: 'directeur technique', forbidden: ['directeur']},
        zh: '首席技术官',
        ar: 'كبير مسؤولي التكنولوجيا'
      }
    },
    {term: '通义千问', translations: {'zh-Hant': '通義千問', es: 'Tongyi Qianwen'}},
    {term: 'Apple', caseSensitive: true, translations: {zh: '苹果公司'}}
  ]
}

export function example(): Glossary {
  return parseGlossary(structuredClone(exampleJson), 'glossary.json')
}
