/** The checked parsers of model.ts: every field, and what a wrong shape reads as. */
import * as assert from 'assert';
import {
  ShapeError,
  parseCustomModelSetPage,
  parseExportId,
  parseExportTask,
  parseModelSetDetail,
  parseModelVersionDetail,
} from '../../src/core/qianfan/model';

function shapeError(fn: () => unknown, message: string): void {
  assert.throws(fn, (e) => e instanceof ShapeError && e.message === message);
}

describe('model: listing pages', () => {
  it('reads every field of a model and of pageInfo', () => {
    const page = parseCustomModelSetPage({
      customModelSetList: [
        {
          modelSetId: 'am-1',
          modelSetName: 'n',
          modelType: 't',
          labels: ['l'],
          createTime: 'c',
          modifyTime: 'm',
          modelCount: '4',
          modelIds: ['amv-1'],
          modelNames: ['V1'],
        },
      ],
      pageInfo: { marker: 'a', maxKeys: 10, isTruncated: true, nextMarker: 'b' },
    });
    assert.deepStrictEqual(page, {
      items: [
        {
          modelSetId: 'am-1',
          modelSetName: 'n',
          modelType: 't',
          labels: ['l'],
          createTime: 'c',
          modifyTime: 'm',
          modelCount: 4,
          modelIds: ['amv-1'],
          modelNames: ['V1'],
        },
      ],
      pageInfo: { marker: 'a', maxKeys: 10, isTruncated: true, nextMarker: 'b' },
    });
  });

  it('fills what is missing: empty texts and lists, the count of IDs, one page', () => {
    const page = parseCustomModelSetPage({ customModelSetList: [{ modelSetId: 'am-1', modelIds: ['a', 'b'], modelSetName: null }] });
    assert.deepStrictEqual(page.items[0], {
      modelSetId: 'am-1',
      modelSetName: '',
      modelType: '',
      labels: [],
      createTime: '',
      modifyTime: '',
      modelCount: 2,
      modelIds: ['a', 'b'],
      modelNames: [],
    });
    assert.deepStrictEqual(page.pageInfo, { marker: '', maxKeys: 1, isTruncated: false, nextMarker: undefined });
    assert.deepStrictEqual(parseCustomModelSetPage({}), { items: [], pageInfo: { marker: '', maxKeys: 0, isTruncated: false, nextMarker: undefined } });
    assert.strictEqual(parseCustomModelSetPage({ pageInfo: { isTruncated: 'true', nextMarker: '' } }).pageInfo.isTruncated, false);
    assert.strictEqual(parseCustomModelSetPage({ pageInfo: { nextMarker: '' } }).pageInfo.nextMarker, undefined);
    assert.strictEqual(parseCustomModelSetPage({ customModelSetList: [{ modelSetId: 'x', modelCount: '' }] }).items[0].modelCount, 0);
  });

  it('says which field is wrong', () => {
    shapeError(() => parseCustomModelSetPage(null), 'result is not an object');
    shapeError(() => parseCustomModelSetPage([]), 'result is not an object');
    shapeError(() => parseCustomModelSetPage('x'), 'result is not an object');
    shapeError(() => parseCustomModelSetPage({ customModelSetList: {} }), 'field "customModelSetList" is not a list');
    shapeError(() => parseCustomModelSetPage({ customModelSetList: [3] }), 'a model is not an object');
    shapeError(() => parseCustomModelSetPage({ customModelSetList: [{}] }), 'field "modelSetId" is missing');
    shapeError(() => parseCustomModelSetPage({ customModelSetList: [{ modelSetId: 5 }] }), 'field "modelSetId" is not a string');
    shapeError(() => parseCustomModelSetPage({ customModelSetList: [{ modelSetId: 'a', modelIds: 'a' }] }), 'field "modelIds" is not a list of strings');
    shapeError(() => parseCustomModelSetPage({ customModelSetList: [{ modelSetId: 'a', labels: [1] }] }), 'field "labels" is not a list of strings');
    shapeError(() => parseCustomModelSetPage({ customModelSetList: [{ modelSetId: 'a', modelCount: 'many' }] }), 'field "modelCount" is not a number');
    shapeError(() => parseCustomModelSetPage({ pageInfo: 'x' }), 'pageInfo is not an object');
  });
});

describe('model: details and exports', () => {
  it('reads a model set', () => {
    const r = {
      modelSetId: 'am-1',
      modelSetName: 'n',
      modelType: 't',
      source: 's',
      labels: ['l'],
      createTime: 'c',
      modifyTime: 'm',
      modelIds: ['i'],
      modelNames: ['V'],
    };
    assert.deepStrictEqual(parseModelSetDetail({ ...r, description: 'd' }), { ...r, description: 'd' });
    assert.strictEqual(parseModelSetDetail({ modelSetId: 'am-1', description: '' }).description, undefined);
    shapeError(() => parseModelSetDetail({}), 'field "modelSetId" is missing');
  });

  it('reads a version, with its source type', () => {
    const v = parseModelVersionDetail({
      modelSetId: 'am-1',
      modelId: 'amv-1',
      modelName: 'V1',
      status: 'Ready',
      model: 'ernie',
      description: 'd',
      createTime: 'c',
      modifyTime: 'm',
      ioMode: 'chat',
      sourceInfo: { sourceType: 'Train' },
    });
    assert.deepStrictEqual(v, {
      modelSetId: 'am-1',
      modelId: 'amv-1',
      modelName: 'V1',
      status: 'Ready',
      model: 'ernie',
      description: 'd',
      createTime: 'c',
      modifyTime: 'm',
      ioMode: 'chat',
      sourceType: 'Train',
    });
    assert.strictEqual(parseModelVersionDetail({ modelSetId: 'a', modelId: 'b', status: 'x', sourceInfo: null }).sourceType, undefined);
    shapeError(() => parseModelVersionDetail({ modelSetId: 'a', modelId: 'b' }), 'field "status" is missing');
    shapeError(() => parseModelVersionDetail({ modelSetId: 'a', modelId: 'b', status: 'x', sourceInfo: 'y' }), 'sourceInfo is not an object');
  });

  it('reads an export ID and an export task', () => {
    assert.strictEqual(parseExportId({ exportId: 'e1' }), 'e1');
    shapeError(() => parseExportId({}), 'field "exportId" is missing');
    const t = { exportId: 'e', status: 'Done', fileName: 'f', fileType: 'tar', md5: 'm', fileSize: 12, downloadUrl: 'u' };
    assert.deepStrictEqual(parseExportTask({ ...t, hasRecord: true }), { ...t, hasRecord: true });
    assert.strictEqual(parseExportTask({ hasRecord: 'true' }).hasRecord, false);
    assert.strictEqual(parseExportTask({ fileSize: '34' }).fileSize, 34);
    shapeError(() => parseExportTask({ fileSize: {} }), 'field "fileSize" is not a number');
  });
});

describe('model: the edges', () => {
  it('names the result in the message of every parser', () => {
    for (const parse of [parseModelSetDetail, parseModelVersionDetail, parseExportId, parseExportTask]) {
      shapeError(() => parse(null), 'result is not an object');
    }
  });

  it('reads null, empty and text numbers', () => {
    assert.strictEqual(parseExportTask({ fileSize: null }).fileSize, undefined);
    assert.strictEqual(parseExportTask({ fileSize: '' }).fileSize, undefined);
    assert.strictEqual(parseExportTask({ fileSize: 0 }).fileSize, 0);
    assert.deepStrictEqual(parseModelSetDetail({ modelSetId: 'a', labels: null }).labels, []);
  });
});
