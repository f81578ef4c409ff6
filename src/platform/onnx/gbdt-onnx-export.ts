import { onnx } from 'onnx-proto';
import { GbdtModel } from '../../engine/gbdt/types';

export const ONNX_INPUT_NAME = 'features';
export const ONNX_OUTPUT_NAME = 'probability';
const ML_DOMAIN = 'ai.onnx.ml';
const enc = new TextEncoder();

function ints(name: string, values: number[]): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: values };
}
function floats(name: string, values: number[]): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.FLOATS, floats: values };
}
function strings(name: string, values: string[]): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.STRINGS, strings: values.map((v) => enc.encode(v)) };
}
function str(name: string, value: string): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.STRING, s: enc.encode(value) };
}
function int(name: string, value: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

/**
 * Serialises a GbdtModel as an ONNX graph: ai.onnx.ml TreeEnsembleRegressor (opset 3, SUM, base_values = [baseMargin])
 * followed by Sigmoid (default domain, opset 17). Input `features` float32 [N, featureCount] (NaN = missing),
 * output `probability` float32 [N, 1].
 * BRANCH_LT sends x < threshold to the true branch, which is our left child, so
 * nodes_missing_value_tracks_true = defaultLeft. Only nodes reachable from each root are exported
 * (imported XGBoost trees may hold deleted nodes).
 */
export function exportGbdtToOnnx(model: GbdtModel): Uint8Array {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const values: number[] = [];
  const modes: string[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missingTracksTrue: number[] = [];
  const targetTreeIds: number[] = [];
  const targetNodeIds: number[] = [];
  const targetWeights: number[] = [];

  model.trees.forEach((tree, t) => {
    const stack = [0];
    while (stack.length > 0) {
      const n = stack.pop()!;
      treeIds.push(t);
      nodeIds.push(n);
      if (tree.feature[n] === -1) {
        featureIds.push(0);
        values.push(0);
        modes.push('LEAF');
        trueIds.push(0);
        falseIds.push(0);
        missingTracksTrue.push(0);
        targetTreeIds.push(t);
        targetNodeIds.push(n);
        targetWeights.push(tree.leafValue[n]);
      } else {
        featureIds.push(tree.feature[n]);
        values.push(tree.threshold[n]);
        modes.push('BRANCH_LT');
        trueIds.push(tree.left[n]);
        falseIds.push(tree.right[n]);
        missingTracksTrue.push(tree.defaultLeft[n]);
        stack.push(tree.right[n], tree.left[n]);
      }
    }
  });

  const ensemble: onnx.INodeProto = {
    name: 'gbdt',
    opType: 'TreeEnsembleRegressor',
    domain: ML_DOMAIN,
    input: [ONNX_INPUT_NAME],
    output: ['margin'],
    attribute: [
      int('n_targets', 1),
      str('aggregate_function', 'SUM'),
      str('post_transform', 'NONE'),
      floats('base_values', [model.baseMargin]),
      ints('nodes_treeids', treeIds),
      ints('nodes_nodeids', nodeIds),
      ints('nodes_featureids', featureIds),
      floats('nodes_values', values),
      strings('nodes_modes', modes),
      ints('nodes_truenodeids', trueIds),
      ints('nodes_falsenodeids', falseIds),
      ints('nodes_missing_value_tracks_true', missingTracksTrue),
      ints('target_treeids', targetTreeIds),
      ints('target_nodeids', targetNodeIds),
      ints('target_ids', targetTreeIds.map(() => 0)),
      floats('target_weights', targetWeights),
    ],
  };
  const sigmoid: onnx.INodeProto = { name: 'sigmoid', opType: 'Sigmoid', domain: '', input: ['margin'], output: [ONNX_OUTPUT_NAME] };
  const tensorType = (width: number): onnx.ITypeProto => ({
    tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } },
  });
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'musicboss-gbdt',
    producerVersion: '1',
    opsetImport: [
      { domain: '', version: 17 },
      { domain: ML_DOMAIN, version: 3 },
    ],
    graph: {
      name: 'gbdt_ctr',
      node: [ensemble, sigmoid],
      input: [{ name: ONNX_INPUT_NAME, type: tensorType(model.featureCount) }],
      output: [{ name: ONNX_OUTPUT_NAME, type: tensorType(1) }],
    },
    metadataProps: [{ key: 'featureNames', value: JSON.stringify(model.featureNames) }],
  });
  return onnx.ModelProto.encode(proto).finish();
}
