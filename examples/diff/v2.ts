/**
 * The shop's error catalog as it stands in the working copy, version 2.0.0. Against the
 * released 1.0.0 (`v1.json`) it renames a details field of `out_of_stock`, which breaks every
 * client that reads `details.available`: `faultline diff` exits 1.
 */
import { defineCatalog, t } from 'faultline';

export const shop = defineCatalog({
  name: 'shop',
  version: '2.0.0',
  typeBase: 'https://shop.example/errors#',
  entries: {
    out_of_stock: {
      name: 'OutOfStock',
      status: 409,
      retry: 'after-change',
      sideEffect: 'no',
      message: 'Only {inStock} of {sku} left',
      details: { sku: t.string(), inStock: t.integer({ minimum: 0 }) }, // was `available`
      meaning: 'The order asks for more items than are in stock.',
      fix: 'Order at most `inStock` items, or wait for a restock.',
    },
    payment_declined: {
      name: 'PaymentDeclined',
      status: 402,
      retry: 'no',
      sideEffect: 'no',
      message: 'The card was declined',
      meaning: 'The payment provider refused the charge.',
      fix: 'Use another payment method.',
    },
    coupon_expired: {
      name: 'CouponExpired',
      status: 422,
      retry: 'no',
      sideEffect: 'no',
      message: 'The coupon has expired',
      meaning: 'The coupon code is past its end date.',
      fix: 'Remove the coupon or use a current one.',
    },
  },
});
