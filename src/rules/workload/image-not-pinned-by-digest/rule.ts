import { defineRule } from '../../../core/rule.js';
import { containerLabel } from '../_lib.js';
import { hasValidDigest, isUnresolvedImage, parseImage } from '../_image.js';
import { POD_SPEC_KINDS } from '../_pss.js';

// Tags are mutable pointers; only a content digest guarantees which bytes run.
export default defineRule({
  meta: {
    id: 'image-not-pinned-by-digest',
    title: 'Image not pinned by digest',
    pillar: 'workload',
    severity: 'info',
    description:
      'A tag can be moved to different content at any time (by a release process, a mistake, or an attacker with push access); only `image@sha256:<digest>` guarantees that every node runs the bytes that were reviewed and scanned.',
    remediation:
      'Reference images by digest (`registry.example.com/app:1.4.2@sha256:...`), e.g. with a CI step or an admission webhook that resolves tags to digests; keep the tag for readability.',
    references: [
      'https://kubernetes.io/docs/concepts/containers/images/#image-names',
      'https://slsa.dev/spec/v1.0/threats',
    ],
    compliance: { mitre: ['T1525', 'T1195.002'] },
    messages: {
      notPinned: '{container} image "{image}" is not pinned by a digest, so what it runs can change under the same name',
      badDigest: '{container} image "{image}" has a malformed digest, so it does not pin the content',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    container(c, pod, ctx) {
      const image: unknown = c.spec.image;
      if (typeof image !== 'string' || isUnresolvedImage(image)) return;
      const ref = parseImage(image);
      if (hasValidDigest(ref)) return;
      ctx.report({
        object: pod.owner,
        messageId: ref.digest !== undefined ? 'badDigest' : 'notPinned',
        data: { container: containerLabel(c), image },
        path: [...c.path, 'image'],
      });
    },
  },
});
